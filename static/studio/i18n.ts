// The Studio's words in English and Arabic. `t(key)` follows the current locale.
const en = {
  studio: 'Studio', projects: 'Projects', back: 'Back to projects', untitled: 'Untitled project',
  save: 'Save', saving: 'Saving…', saved: 'Saved', unsaved: 'Unsaved changes', render: 'Render', rendering: 'Rendering…',
  undo: 'Undo', redo: 'Redo', zoomIn: 'Zoom in', zoomOut: 'Zoom out', fit: 'Fit',
  addText: 'Text', addImage: 'Image', addShape: 'Shape', addEllipse: 'Ellipse',
  layers: 'Layers', noLayers: 'No elements yet. Add text, an image or a shape.',
  design: 'Design', testData: 'Test data', canvas: 'Canvas',
  text: 'Text', image: 'Image', shape: 'Shape', content: 'Content',
  font: 'Font', size: 'Size', weight: 'Weight', color: 'Colour', align: 'Align', valign: 'Vertical',
  lineHeight: 'Line height', autoFit: 'Shrink text to fit', direction: 'Direction',
  dirAuto: 'Auto', dirLtr: 'Left to right', dirRtl: 'Right to left',
  left: 'Start', center: 'Centre', right: 'End', justify: 'Justify', top: 'Top', middle: 'Middle', bottom: 'Bottom',
  source: 'Source', uploadImage: 'Upload image', imageUrl: 'Image URL', fitMode: 'Fit', radius: 'Corner radius',
  fill: 'Fill', stroke: 'Stroke', strokeWidth: 'Stroke width', kind: 'Kind', rect: 'Rectangle', ellipse: 'Ellipse',
  position: 'Position & size', rotation: 'Rotation', opacity: 'Opacity',
  dynamic: 'API field', dynamicKey: 'Dynamic key', placeholder: 'Placeholder',
  dynamicHelp: 'Give this element a key to change it per render: send “{key}” in data.',
  background: 'Background', width: 'Width', height: 'Height',
  uploadFont: 'Upload font…', fontUploaded: 'Font uploaded', bundled: 'Bundled', yourFonts: 'Your fonts',
  duplicate: 'Duplicate', delete: 'Delete', forward: 'Bring forward', backward: 'Send backward',
  lock: 'Lock', unlock: 'Unlock', hide: 'Hide', show: 'Show',
  noSelection: 'Select an element to edit it, or drag on the canvas to select several.',
  multiSelection: '{n} elements selected',
  noDynamic: 'No dynamic fields yet. Give an element a dynamic key in the Design tab.',
  preview: 'Live preview', previewStale: 'Preview shows the last saved version — save to include your edits.',
  previewPaused: 'Preview paused to stay under the rate limit.', previewNow: 'Preview now',
  rateLeft: '{n} previews left this minute', rateLimited: 'Rate limited — retry in {n}s',
  renderResult: 'Render', renderDone: 'Rendered', openImage: 'Open image', credits: '{n} credits left',
  newProject: 'New project', create: 'Create', cancel: 'Cancel', name: 'Name', category: 'Category',
  allCategories: 'All categories', noCategory: 'No category', presets: 'Size', custom: 'Custom',
  open: 'Open', rename: 'Rename', search: 'Search projects…', noProjects: 'No projects here yet.',
  chooseProject: 'Choose a project', loading: 'Loading…',
  conflict: 'Someone saved a newer version of this project. Your changes were not saved.',
  reloadLatest: 'Load the latest version', dismiss: 'Dismiss',
  remoteUpdate: 'This project was saved in another tab or by the API.',
  discardAndReload: 'Discard my edits and reload', keepMine: 'Keep my edits',
  reloaded: 'Updated to the latest version', leaveConfirm: 'You have unsaved changes. Leave anyway?',
  theme: 'Theme', light: 'Light', dark: 'Dark', language: 'Language',
  live: 'Live', offline: 'Offline', readOnly: 'View only',
  errorTitle: 'The Studio could not start', expired: 'This embed session has expired.',
  lockedEl: 'Locked', hiddenEl: 'Hidden', elements: 'elements', saveFirst: 'Saving before render…',
  dropHere: 'Drop to reorder', shortcuts: 'Shortcuts',
  format: 'Format', px: 'px',
} as const;

export type Key = keyof typeof en;

const ar: Record<Key, string> = {
  studio: 'الاستوديو', projects: 'المشاريع', back: 'العودة إلى المشاريع', untitled: 'مشروع بلا عنوان',
  save: 'حفظ', saving: 'جارٍ الحفظ…', saved: 'تم الحفظ', unsaved: 'تغييرات غير محفوظة', render: 'إنشاء الصورة', rendering: 'جارٍ الإنشاء…',
  undo: 'تراجع', redo: 'إعادة', zoomIn: 'تكبير', zoomOut: 'تصغير', fit: 'ملاءمة',
  addText: 'نص', addImage: 'صورة', addShape: 'شكل', addEllipse: 'بيضاوي',
  layers: 'الطبقات', noLayers: 'لا عناصر بعد. أضف نصًا أو صورة أو شكلًا.',
  design: 'التصميم', testData: 'بيانات التجربة', canvas: 'اللوحة',
  text: 'نص', image: 'صورة', shape: 'شكل', content: 'المحتوى',
  font: 'الخط', size: 'الحجم', weight: 'السماكة', color: 'اللون', align: 'المحاذاة', valign: 'عموديًا',
  lineHeight: 'ارتفاع السطر', autoFit: 'تصغير النص ليلائم الإطار', direction: 'الاتجاه',
  dirAuto: 'تلقائي', dirLtr: 'من اليسار إلى اليمين', dirRtl: 'من اليمين إلى اليسار',
  left: 'البداية', center: 'الوسط', right: 'النهاية', justify: 'ضبط', top: 'أعلى', middle: 'وسط', bottom: 'أسفل',
  source: 'المصدر', uploadImage: 'رفع صورة', imageUrl: 'رابط الصورة', fitMode: 'الملاءمة', radius: 'استدارة الزوايا',
  fill: 'التعبئة', stroke: 'الحد', strokeWidth: 'سماكة الحد', kind: 'النوع', rect: 'مستطيل', ellipse: 'بيضاوي',
  position: 'الموضع والحجم', rotation: 'الدوران', opacity: 'الشفافية',
  dynamic: 'حقل الواجهة البرمجية', dynamicKey: 'المفتاح الديناميكي', placeholder: 'النص البديل',
  dynamicHelp: 'أعطِ هذا العنصر مفتاحًا لتغييره في كل عملية إنشاء: أرسل «{key}» في البيانات.',
  background: 'الخلفية', width: 'العرض', height: 'الارتفاع',
  uploadFont: 'رفع خط…', fontUploaded: 'تم رفع الخط', bundled: 'خطوط مضمّنة', yourFonts: 'خطوطك',
  duplicate: 'تكرار', delete: 'حذف', forward: 'تقديم للأمام', backward: 'إرجاع للخلف',
  lock: 'قفل', unlock: 'فتح القفل', hide: 'إخفاء', show: 'إظهار',
  noSelection: 'اختر عنصرًا لتعديله، أو اسحب على اللوحة لاختيار عدة عناصر.',
  multiSelection: 'تم اختيار {n} عناصر',
  noDynamic: 'لا حقول ديناميكية بعد. أعطِ عنصرًا مفتاحًا ديناميكيًا من تبويب التصميم.',
  preview: 'معاينة حية', previewStale: 'المعاينة تعرض آخر نسخة محفوظة — احفظ لتشمل تعديلاتك.',
  previewPaused: 'أُوقفت المعاينة مؤقتًا للبقاء ضمن حد الطلبات.', previewNow: 'معاينة الآن',
  rateLeft: 'بقي {n} من المعاينات هذه الدقيقة', rateLimited: 'تم تجاوز الحد — أعد المحاولة بعد {n} ث',
  renderResult: 'الصورة', renderDone: 'اكتمل الإنشاء', openImage: 'فتح الصورة', credits: 'بقي {n} رصيد',
  newProject: 'مشروع جديد', create: 'إنشاء', cancel: 'إلغاء', name: 'الاسم', category: 'التصنيف',
  allCategories: 'كل التصنيفات', noCategory: 'بلا تصنيف', presets: 'المقاس', custom: 'مخصص',
  open: 'فتح', rename: 'إعادة التسمية', search: 'ابحث في المشاريع…', noProjects: 'لا مشاريع هنا بعد.',
  chooseProject: 'اختر مشروعًا', loading: 'جارٍ التحميل…',
  conflict: 'حفظ شخص آخر نسخة أحدث من هذا المشروع. لم تُحفظ تغييراتك.',
  reloadLatest: 'تحميل أحدث نسخة', dismiss: 'إغلاق',
  remoteUpdate: 'حُفظ هذا المشروع في تبويب آخر أو عبر الواجهة البرمجية.',
  discardAndReload: 'تجاهل تعديلاتي وإعادة التحميل', keepMine: 'الإبقاء على تعديلاتي',
  reloaded: 'تم التحديث إلى أحدث نسخة', leaveConfirm: 'لديك تغييرات غير محفوظة. هل تريد المغادرة؟',
  theme: 'المظهر', light: 'فاتح', dark: 'داكن', language: 'اللغة',
  live: 'متصل', offline: 'غير متصل', readOnly: 'للعرض فقط',
  errorTitle: 'تعذّر تشغيل الاستوديو', expired: 'انتهت صلاحية جلسة التضمين هذه.',
  lockedEl: 'مقفل', hiddenEl: 'مخفي', elements: 'عناصر', saveFirst: 'جارٍ الحفظ قبل الإنشاء…',
  dropHere: 'أفلت لإعادة الترتيب', shortcuts: 'الاختصارات',
  format: 'الصيغة', px: 'بكسل',
};

let current: 'en' | 'ar' = 'en';
export function setLang(lang: 'en' | 'ar') {
  current = lang;
}
export function lang() {
  return current;
}
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s: string = (current === 'ar' ? ar[key] : en[key]) || en[key] || key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}
