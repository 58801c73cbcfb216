// Inside the embedded directory (/einbetten/...): tells the embedding page how tall this
// page is, so that embed-parent.js can size the frame without a scroll bar. Only a
// number leaves the frame, so any parent may read it ("*"). No inline code (CSP).
(() => {
  if (window.parent === window) {
    return;
  }
  let sent = 0;
  const send = (loaded) => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent && !loaded) {
      return;
    }
    sent = height;
    window.parent.postMessage({ kontaktstelleEmbed: true, height, loaded: Boolean(loaded) }, "*");
  };
  new ResizeObserver(() => send(false)).observe(document.body);
  window.addEventListener("load", () => send(true));
  document.querySelectorAll("details").forEach((details) => {
    details.addEventListener("toggle", () => send(false));
  });
  send(true);
})();
