/**
 * A photo file decoded for drawing while a component shows it, closed when it is replaced. If the page
 * cannot decode what the worker could, the fallback (e.g. the worker's thumbnail) is shown instead.
 */
import { useEffect, useState } from 'react';
import { decodeForDrawing } from './inspection-canvas';

export function useDecodedPhoto(file: Blob, fallback: CanvasImageSource): CanvasImageSource | null {
  const [decoded, setDecoded] = useState<{ file: Blob; image: CanvasImageSource } | null>(null);
  useEffect(() => {
    let current = true;
    let bitmap: ImageBitmap | null = null;
    decodeForDrawing(file).then(
      (b) => {
        if (!current) return b.close();
        bitmap = b;
        setDecoded({ file, image: b });
      },
      () => current && setDecoded({ file, image: fallback }),
    );
    return () => {
      current = false;
      bitmap?.close();
    };
  }, [file, fallback]);
  return decoded?.file === file ? decoded.image : null;
}
