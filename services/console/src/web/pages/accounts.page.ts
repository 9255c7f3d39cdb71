import { AppError, isAppError } from '@kindred/platform';
import type { Request, Response } from 'express';
import type { AccountRepository } from '../../auth/account.repository.js';
import type { Accounts } from '../../auth/accounts.service.js';
import { isRole, roles, type Role } from '../../auth/roles.js';
import { html } from '../html.js';
import { layout } from '../layout.view.js';
import { field, fields, queryParam, type SignedInContext } from '../page-context.js';
import { sendPage, type GuardedRouter } from '../guarded-router.js';
import { noticeFor } from '../notices.js';
import { dateText } from '../format.js';
import type { MessageKey } from '../i18n.js';

const roleKey: Record<Role, MessageKey> = { coordinator: 'roleCoordinator', admin: 'roleAdmin' };
const errorKey: Record<string, MessageKey> = {
  'ACCOUNT.INVALID_USERNAME': 'errUsername',
  'ACCOUNT.USERNAME_TAKEN': 'errUsernameTaken',
  'ACCOUNT.WEAK_PASSWORD': 'errPassword',
  'ACCOUNT.NO_ROLE': 'errRoles',
};

export function registerAccountsPages(router: GuardedRouter, deps: { accounts: Accounts; repository: AccountRepository }): void {
  const render = async (req: Request, res: Response, ctx: SignedInContext, status: number, error?: string, username = '') => {
    const list = await deps.repository.list();
    const body = html`
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${ctx.t('colUsername')}</th><th scope="col">${ctx.t('colRoles')}</th><th scope="col">${ctx.t('colCreated')}</th>
    <th scope="col">${ctx.t('colStatus')}</th><th scope="col">${ctx.t('colActions')}</th></tr></thead>
  <tbody>${list.map((a) => {
    const action = `/admin/accounts/${encodeURIComponent(a.id)}`;
    const csrf = html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
    return html`<tr><th scope="row">${a.username}</th><td>${a.roles.map((r) => ctx.t(roleKey[r])).join(', ')}</td><td>${dateText(ctx, a.createdAt)}</td>
      <td>${a.disabled ? ctx.t('accountDisabled') : ctx.t('accountActive')}</td>
      <td>${a.id === ctx.account.id
        ? ''
        : a.disabled
          ? html`<form method="post" action="${action}/enable">${csrf}<button type="submit" class="button-secondary">${ctx.t('enableAccount', { name: a.username })}</button></form>`
          : html`<details class="confirm"><summary>${ctx.t('disableAccount')}<span class="visually-hidden"> ${a.username}</span></summary>
              <form method="post" action="${action}/disable">${csrf}<p>${ctx.t('disableExplain')}</p>
                <button type="submit" class="button-danger">${ctx.t('disableConfirm', { name: a.username })}</button></form></details>`}</td></tr>`;
  })}</tbody>
</table></div>
<section aria-labelledby="create-heading">
  <h2 id="create-heading">${ctx.t('createAccount')}</h2>
  <form method="post" action="/admin/accounts" class="stack narrow">
    <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
    <div class="field"><label for="new-username">${ctx.t('username')}</label>
      <input id="new-username" name="username" value="${username}" required maxlength="64" autocomplete="off" autocapitalize="none" spellcheck="false"></div>
    <div class="field"><label for="new-password">${ctx.t('password')}</label>
      <input id="new-password" name="password" type="password" required minlength="12" maxlength="256" autocomplete="new-password" aria-describedby="password-hint">
      <p id="password-hint" class="hint">${ctx.t('passwordHint')}</p></div>
    <fieldset><legend>${ctx.t('roles')}</legend>
      ${roles.map((r) => html`<div class="field-check"><input type="checkbox" id="role-${r}" name="roles" value="${r}"><label for="role-${r}">${ctx.t(roleKey[r])}</label></div>`)}
    </fieldset>
    <button type="submit">${ctx.t('createAccountButton')}</button>
  </form>
</section>`;
    sendPage(res, status, layout(ctx, { title: ctx.t('accountsTitle'), error, notice: noticeFor(ctx, queryParam(req, 'notice')) }, body));
  };

  router.get('/admin/accounts', ['admin'], (req, res, ctx) => render(req, res, ctx, 200));

  const setDisabled = (disabled: boolean) => async (req: Request, res: Response, ctx: SignedInContext) => {
    const id = req.params['id'];
    if (typeof id !== 'string' || !/^u_[0-9a-f]{20}$/.test(id)) throw new AppError('CONSOLE.NOT_FOUND', 'unknown account');
    if (id === ctx.account.id) {
      await render(req, res, ctx, 400, ctx.t('errSelf'));
      return;
    }
    if (!(await deps.accounts.setDisabled(id, disabled))) throw new AppError('CONSOLE.NOT_FOUND', 'unknown account');
    res.redirect(303, `/admin/accounts?notice=${disabled ? 'account_disabled' : 'account_enabled'}`);
  };
  router.post('/admin/accounts/:id/disable', ['admin'], setDisabled(true));
  router.post('/admin/accounts/:id/enable', ['admin'], setDisabled(false));

  router.post('/admin/accounts', ['admin'], async (req, res, ctx) => {
    const chosen = fields(req, 'roles');
    const username = field(req, 'username');
    if (chosen.some((r) => !isRole(r))) {
      await render(req, res, ctx, 400, ctx.t('errRoles'), username);
      return;
    }
    try {
      await deps.accounts.create({ username, password: field(req, 'password'), roles: chosen.filter(isRole) });
    } catch (error) {
      const key = isAppError(error) ? errorKey[error.code] : undefined;
      if (!key) throw error;
      await render(req, res, ctx, 400, ctx.t(key), username);
      return;
    }
    res.redirect(303, '/admin/accounts?notice=account_created');
  });
}
