/**
 * Good photos from the station's camera: the line engineer holds good parts under it and takes one photo
 * per tap, as the Live view will see them. The camera is the one chosen in the Live view; it is released
 * when closed or when training starts.
 */
import { useEffect, useRef, useState } from 'react';
import { cameraProblem, openCamera } from '../live/camera';
import { useStation } from '../live/station-settings';
import { addGoodPhotos } from './photo-intake';

/** The video's current picture as a PNG (lossless: the pixels the model will be taught on). */
async function grabFrame(video: HTMLVideoElement): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the camera picture could not be encoded');
  return blob;
}

export function CameraIntake({ locked }: { locked: boolean }) {
  const { cameraId, resolution } = useStation();
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [taken, setTaken] = useState(0);
  const video = useRef<HTMLVideoElement>(null);

  const close = () => setStream((s) => (s?.getTracks().forEach((t) => t.stop()), null));
  useEffect(() => {
    if (video.current) video.current.srcObject = stream;
    if (!stream) return;
    const ended = () => {
      setProblem('The camera stopped sending pictures. Reconnect it, then open it again.');
      setStream(null);
    };
    stream.getVideoTracks()[0]?.addEventListener('ended', ended);
    return () => stream.getTracks().forEach((t) => t.stop());
  }, [stream]);
  useEffect(() => {
    if (locked) close();
  }, [locked]);

  const open = async () => {
    setProblem(null);
    try {
      setStream(await openCamera(cameraId, resolution));
    } catch (e) {
      setProblem(cameraProblem(e, cameraId !== null));
    }
  };
  const take = async () => {
    try {
      const photo = await grabFrame(video.current!);
      const n = taken + 1;
      setTaken(n);
      addGoodPhotos([{ name: `camera-${new Date().toISOString().replace(/[:.]/g, '-')}-${n}.png`, file: photo }]);
    } catch (e) {
      setProblem(`No photo taken: ${(e as Error).message}`);
    }
  };

  return (
    <div className="teach-camera">
      {stream ? (
        <>
          <video ref={video} autoPlay muted playsInline aria-label="Camera picture" />
          <div className="teach-camera-actions">
            <button type="button" className="primary" disabled={locked} onClick={() => void take()}>
              Take good photo
            </button>
            <button type="button" onClick={close}>
              Close camera
            </button>
            {taken > 0 && <span className="hint">{taken} taken from the camera</span>}
          </div>
        </>
      ) : (
        <button type="button" disabled={locked} onClick={() => void open()}>
          Take photos with the camera
        </button>
      )}
      {problem && (
        <p className="teach-warning" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
