using Microsoft.Playwright;

namespace CleanWebhooks.Portal.Tests;

/// <summary>What a page looks like in the browser, measured: its width against the window, and where its urls wrap.</summary>
internal static class PageChecks
{
    /// <summary>Fails when the page scrolls sideways, naming the elements that stick out.</summary>
    public static async Task AssertNoWiderThanTheWindowAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var wide = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 5)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.replace(/ /g, '.') : ''} (right ${Math.round(e.getBoundingClientRect().right)})`)
            """);
        Assert.True(width[0] <= width[1], $"{page.Url} is {width[0]} px wide in a {width[1]} px window: {string.Join(", ", wide)}");
    }

    /// <summary>
    /// Where a url element wraps at a point a reader would not expect: inside one of its parts (the text between its
    /// break opportunities) other than after a hyphen, shown as the part with a <c>|</c> at the break. None when the url
    /// wraps only between its parts and at hyphens.
    /// </summary>
    public static Task<string[]> UnexpectedBreaksAsync(ILocator url) =>
        url.EvaluateAsync<string[]>(
            """
            (element) => {
                const broken = [];
                for (const node of element.childNodes) {
                    if (node.nodeType !== Node.TEXT_NODE) continue;
                    const text = node.textContent;
                    let line = null;
                    for (let i = 0; i < text.length; i++) {
                        const range = document.createRange();
                        range.setStart(node, i);
                        range.setEnd(node, i + 1);
                        const rect = range.getClientRects()[0];
                        if (!rect) continue;
                        const top = Math.round(rect.top);
                        if (line !== null && top > line + 2 && text[i - 1] !== '-') broken.push(text.slice(0, i) + '|' + text.slice(i));
                        line = top;
                    }
                }
                return broken;
            }
            """);

    /// <summary>Reloads the page until <paramref name="selector"/> matches something on it; fails after 30 s.</summary>
    public static async Task ReloadUntilAsync(IPage page, string selector)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await page.Locator(selector).CountAsync() == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{selector} never appeared on {page.Url}.");
            }

            await Task.Delay(200);
            await page.ReloadAsync();
        }
    }
}
