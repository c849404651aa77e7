// Sign in: user name and password, posted to /api/auth/login; the session cookie is HttpOnly.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { login } from '../session.js';

/** @param {HTMLElement} root @param {{ signedIn: () => void }} hooks */
export function render(root, hooks) {
  const username = /** @type {HTMLInputElement} */ (
    h('input#login-user', { name: 'username', autocomplete: 'username', required: true, maxLength: 128 })
  );
  const password = /** @type {HTMLInputElement} */ (
    h('input#login-password', {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      maxLength: 256,
    })
  );
  const error = h('p#login-error.action-error', { role: 'alert' });
  const submit = /** @type {HTMLButtonElement} */ (
    h('button#login-submit.primary', { type: 'submit' }, t('login.submit'))
  );
  const form = h(
    'form.login',
    {
      onsubmit: async (/** @type {SubmitEvent} */ ev) => {
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
          error.textContent =
            result.status === 401
              ? t('login.bad')
              : result.status === 429
                ? t('login.wait')
                : t('login.failed', { msg: result.error });
          password.select();
        } catch {
          error.textContent = t('login.offline');
        } finally {
          submit.disabled = false;
        }
      },
    },
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
