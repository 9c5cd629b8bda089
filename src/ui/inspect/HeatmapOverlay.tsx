/** A photo with its anomaly map drawn over it: transparent where normal, red-hot where anomalous. */
import { useEffect, useRef } from 'react';
import type { Inspection } from '../../engine/patchflow/pipeline';

/** Map value (good-σ units) → RGBA: invisible below the calibrated pixel threshold, opaque red at twice it. */
function colour(v: number, threshold: number): [number, number, number, number] {
  const t = Math.min(1, Math.max(0, (v - threshold) / threshold));
  return [255, Math.round(220 * (1 - t)), 0, Math.round(200 * t)];
}

export function HeatmapOverlay({ url, result, pixelThreshold }: { url: string; result: Inspection; pixelThreshold: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const n = result.mapSize;
    const heat = new ImageData(n, n);
    for (let i = 0; i < n * n; i++) heat.data.set(colour(result.anomalyMap[i], pixelThreshold), i * 4);
    const img = new Image();
    img.onload = async () => {
      c.width = n;
      c.height = n;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0, n, n);
      ctx.drawImage(await createImageBitmap(heat), 0, 0);
    };
    img.src = url;
  }, [url, result, pixelThreshold]);
  return <canvas ref={canvas} className="heatmap" aria-label="photo with anomaly heat map" />;
}
