import type { Role } from '../auth/roles.js';
import { html, type SafeHtml } from './html.js';
import type { MessageKey } from './i18n.js';
import type { PageContext } from './page-context.js';

interface NavItem {
  readonly href: string;
  readonly key: MessageKey;
  readonly roles: readonly Role[];
}

const nav: readonly NavItem[] = [
  { href: '/queue', key: 'navQueue', roles: ['coordinator'] },
  { href: '/peers', key: 'navPeers', roles: ['coordinator'] },
  { href: '/follow-up', key: 'navFollowUp', roles: ['coordinator'] },
  { href: '/insights', key: 'navInsights', roles: ['coordinator', 'admin'] },
  { href: '/admin/accounts', key: 'navAccounts', roles: ['admin'] },
];

function languageSwitch(ctx: PageContext): SafeHtml {
  const other = ctx.locale === 'en' ? { code: 'es', name: 'Español' } : { code: 'en', name: 'English' };
  const target = new URL(ctx.url.toString());
  target.searchParams.set('lang', other.code);
  return html`<p class="lang-switch">${ctx.t('language')}:
    <a href="${target.pathname + target.search}" hreflang="${other.code}" lang="${other.code}">${other.name}</a></p>`;
}

export interface LayoutOptions {
  readonly title: string;
  readonly notice?: string | undefined;
  readonly error?: string | undefined;
}

export function layout(ctx: PageContext, options: LayoutOptions, body: SafeHtml): SafeHtml {
  const account = ctx.account;
  const items = account ? nav.filter((item) => item.roles.some((role) => account.roles.includes(role))) : [];
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · ${ctx.t('appName')}</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<a class="skip-link" href="#main">${ctx.t('skipLink')}</a>
<header class="site-header">
  <p class="brand">${ctx.t('appName')}</p>
  ${items.length > 0
    ? html`<nav aria-label="${ctx.t('navLabel')}"><ul>${items.map(
        (item) =>
          html`<li><a href="${item.href}"${ctx.url.pathname.startsWith(item.href) ? html` aria-current="page"` : ''}>${ctx.t(item.key)}</a></li>`,
      )}</ul></nav>`
    : ''}
  <div class="header-tools">
    ${languageSwitch(ctx)}
    ${account
      ? html`<form method="post" action="/logout" class="sign-out">
          <span>${ctx.t('signedInAs', { name: account.username })}</span>
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
          <button type="submit" class="button-secondary">${ctx.t('signOut')}</button>
        </form>`
      : ''}
  </div>
</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${options.error ? html`<p class="error-summary" role="alert">${options.error}</p>` : ''}
${body}
</main>
<footer class="site-footer"><p>${ctx.t('appName')}</p></footer>
</body>
</html>`;
}
