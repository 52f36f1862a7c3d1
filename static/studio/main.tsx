// Audome Studio: the template editor, in the dashboard (/render/studio/<id>) and in the embed.
import './studio.css';
import { render } from 'preact';
import { App } from './app';
import { config } from './config';
import { applyLang } from './hooks/use-appearance';

applyLang(config.locale === 'ar' ? 'ar' : 'en');
const root = document.getElementById('studio-root');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
