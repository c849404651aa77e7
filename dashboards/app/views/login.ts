// Sign in: user name and password, posted to /api/auth/login; the session cookie is HttpOnly.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { type LoginResult, login } from '../session.js';

/** The message for a refused sign-in. */
function refusal(result: Extract<LoginResult, { ok: false }>): string {
  if (result.status === 401) return t('login.bad');
  if (result.status === 429) return t('login.wait');
  return t('login.failed', { msg: result.error });
}

export function render(root: HTMLElement, hooks: { signedIn: () => void }): Record<string, never> {
  const username = h('input#login-user', {
    name: 'username',
    autocomplete: 'username',
    required: true,
    maxLength: 128,
  });
  const password = h('input#login-password', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxLength: 256,
  });
  const error = h('p#login-error.action-error', { role: 'alert' });
  const submit = h('button#login-submit.primary', { type: 'submit' }, t('login.submit'));
  const onsubmit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      const result = await login(username.value.trim(), password.value);
      if (result.ok) {
        password.value = '';
        hooks.signedIn();
        return;
      }
      error.textContent = refusal(result);
      password.select();
    } catch {
      error.textContent = t('login.offline');
    } finally {
      submit.disabled = false;
    }
  };
  const form = h(
    'form.login',
    { onsubmit },
    h('h1.page-title', null, t('login.title')),
    h('label', null, t('login.username'), username),
    h('label', null, t('login.password'), password),
    error,
    submit,
  );
  root.replaceChildren(h('div.login-page', null, form));
  username.focus();
  return {};
}
