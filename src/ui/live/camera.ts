/**
 * The station's camera: the video inputs there are, a stream at the chosen resolution, and what to tell
 * the operator when the browser refuses one (each message says what to do before trying again).
 */

export const RESOLUTIONS = [
  { id: 'default', label: 'Camera default', width: null, height: null },
  { id: '480p', label: '640 × 480', width: 640, height: 480 },
  { id: '720p', label: '1280 × 720', width: 1280, height: 720 },
  { id: '1080p', label: '1920 × 1080', width: 1920, height: 1080 },
  { id: '2160p', label: '3840 × 2160 (4K)', width: 3840, height: 2160 },
] as const;

export type ResolutionId = (typeof RESOLUTIONS)[number]['id'];

export interface CameraInfo {
  deviceId: string;
  label: string;
}

/**
 * The video constraints for a camera and resolution. The size is a wish (`ideal`), not a demand: a
 * camera that cannot give it gives its nearest rather than nothing, and the view says what it gave.
 */
export function videoConstraints(cameraId: string | null, resolution: ResolutionId): MediaTrackConstraints {
  const r = RESOLUTIONS.find((x) => x.id === resolution) ?? RESOLUTIONS[0];
  return {
    ...(cameraId ? { deviceId: { exact: cameraId } } : {}),
    ...(r.width ? { width: { ideal: r.width }, height: { ideal: r.height } } : {}),
  };
}

export const NO_CAMERA_ACCESS = 'This page cannot use cameras: open it over https (or as localhost on this computer), in a browser with camera support.';
export const CAMERA_ENDED = 'The camera stopped sending pictures: it was unplugged, or another application took it. Reconnect it, then try again.';

/** The operator's message for a failed getUserMedia (by the DOMException's name). */
export function cameraProblem(error: unknown, cameraChosen: boolean): string {
  const name = (error as { name?: string } | null)?.name;
  switch (name) {
    case 'NotSupportedError':
      return NO_CAMERA_ACCESS;
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was denied. Allow the camera for this site (the camera icon in the address bar, or the browser’s site settings), then try again.';
    case 'NotFoundError':
      return 'No camera found. Plug one in, then try again.';
    case 'OverconstrainedError':
      return cameraChosen ? 'The chosen camera is not connected. Reconnect it or choose another, then try again.' : 'The camera cannot give a picture this station can use. Choose another resolution, then try again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is busy: another tab or application is using it, or it failed to start. Close the other user, then try again.';
    default:
      return `The camera could not be started: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function openCamera(cameraId: string | null, resolution: ResolutionId): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) return Promise.reject(new DOMException(NO_CAMERA_ACCESS, 'NotSupportedError'));
  return navigator.mediaDevices.getUserMedia({ video: videoConstraints(cameraId, resolution), audio: false });
}

/**
 * Every video input. Names (and, in some browsers, ids) are only given once the site may use a camera:
 * unnamed ones are numbered, and ones without an id can only be reached as the default camera.
 */
export async function listCameras(): Promise<CameraInfo[]> {
  const devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
  return devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}
