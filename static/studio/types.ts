export interface TextStyle {
  fontFamily?: string;
  fontSize?: number;
  fontWeight?: number;
  color?: string;
  textAlign?: 'left' | 'center' | 'right' | 'justify' | 'start' | 'end';
  verticalAlign?: 'top' | 'middle' | 'bottom';
  lineHeight?: number;
  autoFit?: boolean;
  direction?: 'auto' | 'ltr' | 'rtl';
}

export interface StudioElement {
  id: string;
  type: 'text' | 'image' | 'shape';
  x: number;
  y: number;
  width: number;
  height: number;
  rotation?: number;
  opacity?: number;
  dynamicKey?: string;
  placeholder?: string;
  name?: string;
  hidden?: boolean;
  locked?: boolean;
  text?: string;
  style?: TextStyle;
  src?: string;
  fit?: 'cover' | 'contain' | 'fill';
  borderRadius?: number;
  shape?: 'rect' | 'ellipse';
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
}

export interface StudioDoc {
  version: number;
  background?: { color?: string };
  elements: StudioElement[];
}

export interface Project {
  id: string;
  name: string;
  width: number;
  height: number;
  categoryId?: string | null;
  document: StudioDoc;
  updatedAt: string;
  createdAt?: string;
}
