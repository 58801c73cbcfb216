// On the website that embeds the directory: sets each of our frames to the height its
// page reports (embed-frame.js), and brings the frame's top into view when a new page
// opens in it. Listens only to messages from the origin this script comes from.
(() => {
  const script = document.currentScript;
  const origin = script ? new URL(script.src).origin : null;
  if (!origin) {
    return;
  }
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.origin !== origin || !data || data.kontaktstelleEmbed !== true) {
      return;
    }
    const height = Number(data.height);
    if (!Number.isFinite(height) || height <= 0 || height > 100000) {
      return;
    }
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow !== event.source) {
        continue;
      }
      frame.style.height = `${Math.ceil(height)}px`;
      frame.setAttribute("scrolling", "no");
      if (data.loaded && frame.getBoundingClientRect().top < 0) {
        frame.scrollIntoView({ block: "start" });
      }
    }
  });
})();
