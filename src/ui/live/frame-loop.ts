/**
 * Calls back once for each frame a video element presents: requestVideoFrameCallback where the browser
 * has it (one call per camera frame, at the camera's rate), else animation frames on which the video's
 * time has moved.
 */

export function watchFrames(video: HTMLVideoElement, onFrame: (presentedAt: number) => void): () => void {
  let stopped = false;
  if (typeof video.requestVideoFrameCallback === 'function') {
    let handle = 0;
    const step = (now: number) => {
      if (stopped) return;
      handle = video.requestVideoFrameCallback(step); // first: a frame that fails must not end the loop
      onFrame(now);
    };
    handle = video.requestVideoFrameCallback(step);
    return () => {
      stopped = true;
      video.cancelVideoFrameCallback(handle);
    };
  }
  let handle = 0;
  let lastTime = -1;
  const poll = (now: number) => {
    if (stopped) return;
    handle = requestAnimationFrame(poll);
    if (video.currentTime !== lastTime && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      lastTime = video.currentTime;
      onFrame(now);
    }
  };
  handle = requestAnimationFrame(poll);
  return () => {
    stopped = true;
    cancelAnimationFrame(handle);
  };
}
