/**
 * A coordinator using the console over plain HTTP, as a browser without JavaScript would: cookies, the CSRF token
 * from each form, form-encoded POSTs. Enough to sign in, read the queue and a match, and approve it.
 */
export class ConsoleSession {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<{ status: number; html: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: this.headers(), redirect: 'manual' });
    this.keepCookies(response);
    return { status: response.status, html: await response.text() };
  }

  async post(path: string, form: Record<string, string>): Promise<{ status: number; location: string | null }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    this.keepCookies(response);
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get('location') };
  }

  async signIn(username: string, password: string): Promise<void> {
    const page = await this.get('/login');
    const signedIn = await this.post('/login', { _csrf: hiddenField(page.html, '_csrf'), username, password, next: '/' });
    if (signedIn.status !== 303 || signedIn.location !== '/queue') throw new Error(`console sign-in answered ${signedIn.status} → ${signedIn.location ?? 'nowhere'}`);
  }

  /** The match ids the queue links to. */
  async queueMatchIds(): Promise<string[]> {
    const page = await this.get('/queue');
    if (page.status !== 200) throw new Error(`console /queue answered ${page.status}`);
    return [...new Set([...page.html.matchAll(/href="\/matches\/([^"?#/]+)"/g)].map((m) => decodeURIComponent(m[1] ?? '')))];
  }

  async approve(matchId: string): Promise<void> {
    const page = await this.get(`/matches/${encodeURIComponent(matchId)}`);
    if (page.status !== 200) throw new Error(`console match page answered ${page.status}`);
    const form = /<form method="post" action="\/matches\/[^"]+\/approve">([\s\S]*?)<\/form>/.exec(page.html)?.[1];
    if (form === undefined) throw new Error(`the match page of ${matchId} has no approve form`);
    const approved = await this.post(`/matches/${encodeURIComponent(matchId)}/approve`, { _csrf: hiddenField(form, '_csrf'), version: hiddenField(form, 'version') });
    if (approved.status !== 303 || !(approved.location ?? '').includes('notice=approved')) {
      throw new Error(`console approve answered ${approved.status} → ${approved.location ?? 'nowhere'}`);
    }
  }

  private headers(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  private keepCookies(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

function hiddenField(html: string, name: string): string {
  const value = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no hidden field ${name} in the console page`);
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
