// The dashboard's one bundle, loaded by dashboard/base.html (and the sign-in pages): the shell
// every page shares (ui.ts), then each page's own behaviour, which starts only where its root
// element is on the page. All calls to the REST API go through api.ts.
import { initBatch } from './batch';
import { initBilling } from './billing';
import { initProjects } from './projects';
import { initRenders } from './renders';
import { initTokens } from './tokens';
import { initShell } from './ui';
import { initUrlSigning } from './url-signing';

initShell();
initTokens();
initUrlSigning();
initProjects();
initBilling();
initRenders();
initBatch();
