// The canvas zoom: "fit" (follows the stage's size) or a fixed factor, 25 %…400 %.
import { useState } from 'preact/hooks';

export const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];
const clamp = (z: number) => Math.max(0.25, Math.min(4, z));

export interface Zoom {
  mode: 'fit' | number;
  fitZoom: number;
  zoom: number;
  setMode: (mode: 'fit' | number) => void;
  setFitZoom: (z: number) => void;
  zoomIn: () => void;
  zoomOut: () => void;
}

export function useZoom(): Zoom {
  const [mode, setMode] = useState<'fit' | number>('fit');
  const [fitZoom, setFitZoom] = useState(0.5);
  const zoom = mode === 'fit' ? fitZoom : mode;
  return {
    mode, fitZoom, zoom, setMode, setFitZoom,
    zoomIn: () => setMode(clamp(zoom * 1.25)),
    zoomOut: () => setMode(clamp(zoom / 1.25)),
  };
}
