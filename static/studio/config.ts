// The page's settings, put there by the Django view as JSON (#studio-config).
export interface StudioConfig {
  mode: 'dashboard' | 'embed';
  locale: 'en' | 'ar';
  theme: 'dark' | 'light' | 'auto';
  apiBase: string;
  projectId?: string | null;
  categoryId?: string | null;
  lockedProject?: boolean;
  lockedCategory?: boolean;
  readOnly?: boolean;
  token?: string;
  csrfToken?: string;
  hostOrigin?: string;
  expiresAt?: string;
  email?: string;
  allowedOrigins?: string[];
  error?: { code: string; message: string };
}

function read(): StudioConfig {
  const el = document.getElementById('studio-config');
  const parsed = el ? JSON.parse(el.textContent || '{}') : {};
  return { mode: 'dashboard', locale: 'en', theme: 'dark', apiBase: '', ...parsed };
}

export const config: StudioConfig = read();
