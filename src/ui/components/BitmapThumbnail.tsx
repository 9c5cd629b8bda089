/** A small canvas showing an ImageBitmap (the worker's thumbnail): no re-decoding, no object URL. */
import { memo, useEffect, useRef } from 'react';
import './components.css';

export const BitmapThumbnail = memo(function BitmapThumbnail({ bitmap }: { bitmap: ImageBitmap }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    c.width = bitmap.width;
    c.height = bitmap.height;
    c.getContext('2d')!.drawImage(bitmap, 0, 0);
  }, [bitmap]);
  return <canvas ref={canvas} className="bitmap-thumbnail" aria-hidden="true" />;
});
