/**
 * Pressing the console's sign-in button as a browser does: the sign-in page (GET
 * /console/login/:token) sets the CSRF cookie and puts the token in its form; the form posts
 * both with the link's token.
 */
import type { App } from '../../api/server.ts';

export interface LoginForm {
  csrf: string;
  cookie: string;
}

/** The sign-in page's CSRF token and cookie ('' when the link is not valid: the page has no form). */
export async function loginForm(app: App, token: string): Promise<LoginForm> {
  const page = await app.inject({ method: 'GET', url: `/console/login/${token}` });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const cookie = [page.headers['set-cookie'] ?? []]
    .flat()
    .map((c) => String(c).split(';')[0])
    .filter((c) => c.startsWith('sdv_console_csrf='))
    .join('; ');
  return { csrf, cookie };
}

export function postLogin(app: App, token: string, form: LoginForm) {
  return app.inject({
    method: 'POST',
    url: '/console/login',
    payload: { token, _csrf: form.csrf },
    headers: form.cookie ? { cookie: form.cookie } : {},
  });
}

/** Opens the link's page and presses its button; the answer carries the session cookie. */
export async function pressSignIn(app: App, token: string) {
  return postLogin(app, token, await loginForm(app, token));
}
