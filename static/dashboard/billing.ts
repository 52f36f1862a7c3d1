// /render/billing: the buy buttons open Stripe Checkout, "Manage billing" the Stripe portal
// (both through /api/billing/… with the session). Strings come from data-msg-* on #billing-page.
import { ApiError, billing } from './api';
import { toast } from './ui';

export function initBilling(): void {
  const page = document.getElementById('billing-page');
  if (!page) return;
  const msg = (key: string) => page.getAttribute(`data-msg-${key}`) ?? '';

  async function go(button: HTMLButtonElement, open: () => Promise<string>) {
    button.disabled = true;
    try {
      window.location.assign(await open());
    } catch (err) {
      button.disabled = false;
      const notConfigured = err instanceof ApiError && err.code === 'PAYMENTS_NOT_CONFIGURED';
      toast(notConfigured ? msg('not-configured') : (err instanceof ApiError && err.message) || msg('failed'), 'danger');
    }
  }

  page.querySelectorAll<HTMLButtonElement>('[data-checkout]').forEach((button) => {
    button.addEventListener('click', () => {
      const code = button.dataset.code ?? '';
      const body = button.dataset.checkout === 'plan' ? { plan: code } : { pack: code };
      void go(button, async () => (await billing.checkout(body)).checkoutUrl);
    });
  });
  page.querySelectorAll<HTMLButtonElement>('[data-portal], #manage-billing').forEach((button) => {
    button.addEventListener('click', () => void go(button, async () => (await billing.portal()).url));
  });
}
