// The dashboard's entry: the login form, the session, and a small hash router
// (`#/`, `#/workcells/<id>`, `#/runs/<id>`). Each page answers a function that stops its live
// subscriptions when another page replaces it.
import { get, login, logout, session, whenLoggedOut } from './api.js';
import { runPage } from './run.js';
import { h } from './ui.js';
import { workcellPage, workcellsPage } from './workcell.js';

const view = document.getElementById('view');
const who = document.getElementById('who');
const logoutButton = document.getElementById('logout');
let leave = null;
/** Counts page loads, so a page that finishes loading after the next one started stops at once. */
let navigation = 0;

function showLogin(reason) {
  leave?.();
  leave = null;
  navigation++;
  logout();
  who.textContent = '';
  logoutButton.hidden = true;
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'message', id: 'login-error', role: 'alert' }, reason ?? '');
  const form = h(
    'form',
    { id: 'login', class: 'panel login' },
    h('h1', {}, 'Log in to Praxis'),
    h('label', { for: 'username' }, 'Username'),
    username,
    h('label', { for: 'password' }, 'Password'),
    password,
    error,
    h('button', { type: 'submit' }, 'Log in'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      await login(username.value, password.value);
      route();
    } catch (err) {
      error.textContent = err.status === 401 ? 'Wrong username or password.' : err.message;
    }
  });
  view.replaceChildren(form);
  username.focus();
}

async function route() {
  if (!session.token) return showLogin();
  if (!session.me) {
    try {
      session.me = await get('/auth/me');
    } catch {
      return showLogin();
    }
  }
  who.textContent = `${session.me.username} (${session.me.roles.join(', ')})`;
  logoutButton.hidden = false;
  leave?.();
  leave = null;
  const mine = ++navigation;
  const [, kind, id] = location.hash.replace(/^#/, '').split('/');
  try {
    // Each page draws into a root of its own: one still loading when the next is asked for draws off-screen.
    const root = h('div', { class: 'page' });
    view.replaceChildren(root);
    const stop = kind === 'workcells' && id ? await workcellPage(root, id) : kind === 'runs' && id ? await runPage(root, id) : await workcellsPage(root);
    // Another page was asked for while this one loaded: it is already gone.
    if (mine === navigation) leave = stop ?? null;
    else stop?.();
  } catch (err) {
    if (err.status === 401 || mine !== navigation) return;
    view.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'message' }, err.message), h('p', {}, h('a', { href: '#/' }, 'Back to the workcells')));
  }
}

logoutButton.addEventListener('click', () => {
  showLogin();
  location.hash = '#/';
});
whenLoggedOut(() => showLogin('Your session has ended: log in again.'));
window.addEventListener('hashchange', () => void route());
void route();
