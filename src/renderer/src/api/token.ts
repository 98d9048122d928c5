/**
 * The access token of `bulk-ocr serve`, in the browser. It arrives in the page's URL
 * (`/?token=…`, printed by serve); we keep it for this tab (sessionStorage, so a reload works) and
 * take it out of the address bar, so it does not sit on screen, in screenshots or in a shared link.
 */
const KEY = 'bulk-ocr-token';

let token: string | null = null;

/** Reads the token from the URL once, remembers it, and strips it from the address bar. */
export function accessToken(): string | null {
  if (token !== null) return token || null;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    token = fromUrl;
    sessionStorage.setItem(KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  } else {
    token = sessionStorage.getItem(KEY) ?? '';
  }
  return token || null;
}

/** `?token=…` (or '') to append to a same-origin URL that already has a query. */
export function tokenParam(prefix: '?' | '&'): string {
  const t = accessToken();
  return t ? `${prefix}token=${encodeURIComponent(t)}` : '';
}
