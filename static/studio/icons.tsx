// The Studio's small line icons, drawn as SVG: no font has to carry their glyphs (a symbol
// missing from every font on a machine shows as an empty box).
const PATHS = {
  plus: 'M8 3v10M3 8h10',
  alignLeft: 'M2.5 2v12M5 5h8M5 11h5',
  alignHcenter: 'M8 2v12M3.5 5h9M5 11h6',
  alignRight: 'M13.5 2v12M3 5h8M6 11h5',
  alignTop: 'M2 2.5h12M5 5v8M11 5v5',
  alignVcenter: 'M2 8h12M5 3.5v9M11 5v6',
  alignBottom: 'M2 13.5h12M5 3v8M11 6v5',
  distributeH: 'M2 2v12M14 2v12M6.5 5v6h3V5z',
  distributeV: 'M2 2h12M2 14h12M5 6.5h6v3H5z',
  group: 'M2 2h4M10 2h4M2 14h4M10 14h4M2 2v4M2 10v4M14 2v4M14 10v4M5.5 5.5h5v5h-5z',
  ungroup: 'M2 2h5v5H2zM9 9h5v5H9z',
  images: 'M2 3.5h12v9H2zM2 11l3.5-3.5 3 3 2-2L14 12M10.5 6.5h.01',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9',
  upload: 'M8 11V3M4.5 6.5 8 3l3.5 3.5M3 13h10',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.6"
      stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
