/**
 * A person in the web chat (/chat) in Chromium: what they type, the buttons they press, and
 * the bot's messages as they read them on the screen.
 */
import type { BrowserContext, Page } from 'playwright-core';

export class WebChatPerson {
  private constructor(readonly page: Page) {}

  /** Opens the one-time link the secretary gave (…/chat?code=…) and waits for the main menu. */
  static async open(context: BrowserContext, baseUrl: string, code: string): Promise<WebChatPerson> {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/chat?code=${code}`);
    await page.getByText('Đồng chí chọn việc bên dưới').first().waitFor();
    return new WebChatPerson(page);
  }

  /** The text of every bot message on the screen, oldest first. */
  async botMessages(): Promise<string[]> {
    return this.page.locator('#log .msg.bot').allInnerTexts();
  }

  /** Types a message, sends it, and returns the text of the bot's answers to it. */
  async say(text: string): Promise<string> {
    return this.answered(async () => {
      await this.page.fill('#text', text);
      await this.page.press('#text', 'Enter');
    });
  }

  /** Presses the newest button with exactly this label and returns the bot's answers. */
  async press(label: string): Promise<string> {
    return this.answered(() =>
      this.page.locator('#log').getByRole('button', { name: label, exact: true }).last().click(),
    );
  }

  /** Presses a button of an earlier message (the one whose text contains `message`): a stale button. */
  async pressIn(message: string, label: string): Promise<string> {
    return this.answered(() =>
      this.page
        .locator('#log .msg.bot', { hasText: message })
        .first()
        .getByRole('button', { name: label, exact: true })
        .click(),
    );
  }

  /**
   * Comes back to the chat (switches back to the browser, as after reading a message in another
   * app): the page fetches what was pushed meanwhile. Returns the new bot messages. A push still on
   * its way (a notice fanned out to the cell in the background, slow under a loaded CI) is waited
   * for as a member would: she comes back again, for up to ten seconds.
   */
  async comeBack(): Promise<string> {
    const before = (await this.botMessages()).length;
    for (let tries = 0; ; tries++) {
      const fetched = this.page.waitForResponse((r) => r.url().includes('/chat/api/inbox'));
      await this.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      await fetched;
      await this.page.waitForTimeout(50);
      const fresh = (await this.botMessages()).slice(before);
      if (fresh.length > 0 || tries === 40) return fresh.join('\n\n');
      await this.page.waitForTimeout(200);
    }
  }

  /** Reloads the page (a phone that dropped the tab); returns the bot messages then shown as new. */
  async reload(): Promise<void> {
    const fetched = this.page.waitForResponse((r) => r.url().includes('/chat/api/inbox'));
    await this.page.reload();
    await fetched;
    await this.page.waitForTimeout(100);
  }

  /**
   * Presses a secret ballot's choice, which the page encrypts on the phone (issue 28): waits for
   * its offer to cast or audit and returns the offer's text. Nothing is sent but a key request.
   */
  async encrypt(label: string): Promise<string> {
    const offers = this.page.locator('#log .msg.bot[data-ballot="offer"]');
    const before = await this.page.locator('#log .msg.bot[data-ballot]').count();
    await this.page.locator('#log').getByRole('button', { name: label, exact: true }).last().click();
    await this.page.waitForFunction((n) => document.querySelectorAll('#log .msg.bot[data-ballot]').length > n, before);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as she reads it on the screen
    return offers.last().innerText();
  }

  /** "Kiểm tra mã hóa" on the newest offer: the opened encryption, as the page shows and checks it. */
  async audit(): Promise<{ text: string; verdict: string | null; data: string }> {
    await this.page.getByRole('button', { name: 'Kiểm tra mã hóa', exact: true }).last().click();
    const shown = this.page.locator('#log .msg.bot[data-audit]').last();
    await shown.waitFor();
    return {
      // biome-ignore lint/performance/useDomNodeTextContent: as read on screen (the closed <details> not)
      text: await shown.innerText(),
      verdict: await shown.getAttribute('data-audit'),
      data: (await shown.locator('pre').textContent()) ?? '',
    };
  }

  private async answered(act: () => Promise<void>): Promise<string> {
    const before = (await this.botMessages()).length;
    const response = this.page.waitForResponse((r) => r.url().endsWith('/chat/api/messages'));
    await act();
    const { replies } = (await (await response).json()) as { replies: { text?: string }[] };
    // The page appends the replies right after the response is read.
    await this.page.waitForFunction(
      (n) => document.querySelectorAll('#log .msg.bot').length >= n,
      before + Math.max(1, replies.length),
    );
    // Only the answers to this message: one pushed meanwhile (a vote opened, sent to every member
    // and to her too) arrives on the screen between them under load, and is not an answer.
    const starts = replies.map((r) => (r.text ?? '').trim().split('\n')[0].slice(0, 40));
    const fresh = (await this.botMessages()).slice(before);
    return fresh.filter((t) => starts.some((start) => t.trim().startsWith(start))).join('\n\n');
  }
}
