/**
 * xterm.js's DOM renderer writes its per-terminal CSS (cell dimensions, theme colours) into
 * `<style>` elements it creates, which the window's CSP (`style-src 'self'`, no 'unsafe-inline')
 * blocks: the terminal would lose its layout and every resize would report a violation. Constructed
 * stylesheets (`document.adoptedStyleSheets`) are CSSOM, which CSP allows, so this gives the
 * document a `createElement` whose `<style>` elements are inert stand-ins that put their text into
 * a constructed stylesheet instead. Nothing else in the renderer creates `<style>` elements (Vite
 * puts all CSS in files), so the change is confined to what xterm.js does.
 */

const INSTALLED = Symbol('riscstation.constructedStyles');

type PatchedDocument = Document & { [INSTALLED]?: true };

export function installConstructedStyles(doc: Document): void {
  const patched = doc as PatchedDocument;
  if (patched[INSTALLED]) return;
  patched[INSTALLED] = true;
  const original = doc.createElement.bind(doc) as (tag: string, options?: ElementCreationOptions) => HTMLElement;
  const replacement = (tag: string, options?: ElementCreationOptions): HTMLElement => {
    if (tag.toLowerCase() !== 'style') return original(tag, options);
    const standIn = original('rs-style');
    const sheet = new doc.defaultView!.CSSStyleSheet();
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
    let text = '';
    Object.defineProperty(standIn, 'textContent', {
      get: () => text,
      set: (value: string | null) => {
        text = value ?? '';
        sheet.replaceSync(text);
      },
    });
    // When the terminal goes away its rules go too.
    const remove = standIn.remove.bind(standIn);
    standIn.remove = () => {
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
      remove();
    };
    return standIn;
  };
  (doc as unknown as { createElement: typeof replacement }).createElement = replacement;
}
