// The bundled font files. Both the Studio (a user's browser) and the headless render page
// import this module (the render page links the same built CSS), so both draw text with the
// very same font files and metrics.
// Arabic families: only the arabic/latin subsets (their "symbols"/"math" subsets carry
// monochrome pictographs that would shadow the colour emoji).
// No emoji font is bundled: @fontsource's Noto Color Emoji is an OpenType-SVG font, whose
// glyphs Chromium draws blank. Emoji come from the platform's colour emoji font: on the
// render servers Debian's Noto Color Emoji (fonts-noto-color-emoji), in a user's browser the
// system's own.
import '@fontsource/noto-sans/400.css';
import '@fontsource/noto-sans/500.css';
import '@fontsource/noto-sans/600.css';
import '@fontsource/noto-sans/700.css';
import '@fontsource/noto-sans/800.css';
import '@fontsource/noto-sans/400-italic.css';
import '@fontsource/noto-sans/700-italic.css';
import '@fontsource/noto-serif/latin-400.css';
import '@fontsource/noto-serif/latin-ext-400.css';
import '@fontsource/noto-serif/latin-700.css';
import '@fontsource/noto-serif/latin-ext-700.css';
import '@fontsource/noto-serif/latin-400-italic.css';
import '@fontsource/noto-serif/latin-700-italic.css';
import '@fontsource/noto-serif/cyrillic-400.css';
import '@fontsource/noto-serif/cyrillic-700.css';
import '@fontsource/noto-serif/greek-400.css';
import '@fontsource/noto-serif/greek-700.css';
import '@fontsource/noto-serif/vietnamese-400.css';
import '@fontsource/noto-serif/vietnamese-700.css';
import '@fontsource/noto-sans-arabic/arabic-400.css';
import '@fontsource/noto-sans-arabic/arabic-500.css';
import '@fontsource/noto-sans-arabic/arabic-600.css';
import '@fontsource/noto-sans-arabic/arabic-700.css';
import '@fontsource/noto-sans-arabic/latin-400.css';
import '@fontsource/noto-sans-arabic/latin-700.css';
import '@fontsource/noto-naskh-arabic/arabic-400.css';
import '@fontsource/noto-naskh-arabic/arabic-700.css';
import '@fontsource/noto-naskh-arabic/latin-400.css';
import '@fontsource/noto-naskh-arabic/latin-700.css';
import '@fontsource/noto-kufi-arabic/arabic-400.css';
import '@fontsource/noto-kufi-arabic/arabic-700.css';
import '@fontsource/noto-kufi-arabic/latin-400.css';
import '@fontsource/noto-kufi-arabic/latin-700.css';
