/**
 * The signed-in session: server address and token. The token is held in
 * memory, and in the browser's sessionStorage only if the clerk asks to stay
 * signed in for this session; it is never written to the workbook.
 */
const TOKEN_KEY = "openar.session.token";
const URL_KEY = "openar.session.url";

export interface Session {
  readonly baseUrl: string;
  readonly token: string;
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function loadSession(): Session | null {
  const s = storage();
  const token = s?.getItem(TOKEN_KEY) ?? null;
  const baseUrl = s?.getItem(URL_KEY) ?? null;
  return token === null || baseUrl === null ? null : { baseUrl, token };
}

export function saveSession(session: Session, remember: boolean): void {
  const s = storage();
  if (s === null) return;
  if (remember) {
    s.setItem(TOKEN_KEY, session.token);
    s.setItem(URL_KEY, session.baseUrl);
  } else {
    clearSession();
  }
}

export function clearSession(): void {
  const s = storage();
  s?.removeItem(TOKEN_KEY);
  s?.removeItem(URL_KEY);
}

/** Today's date where the clerk is (the task pane's local calendar day). */
export function localToday(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
