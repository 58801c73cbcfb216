// A long list of checkboxes in groups (the topics that affect a starter personally)
// gets a search box and a count of what is ticked. Without JavaScript the grouped
// list works as it is. Texts come from data attributes (translated in the template).
document.querySelectorAll("[data-checkbox-filter]").forEach((settings) => {
  const wrapper = document.getElementById(settings.dataset.checkboxFilter);
  if (!wrapper) return;
  const list = wrapper.querySelector(".form-check")?.parentElement;
  if (!list) return;
  list.classList.add("checkbox-filter-list");

  const search = document.createElement("input");
  search.type = "search";
  search.className = "form-control mb-2";
  search.id = `${settings.dataset.checkboxFilter}-search`;
  search.setAttribute("aria-describedby", `${search.id}-status`);
  const label = document.createElement("label");
  label.className = "form-label small";
  label.htmlFor = search.id;
  label.textContent = settings.dataset.searchLabel;
  const status = document.createElement("p");
  status.id = `${search.id}-status`;
  status.className = "small text-body-secondary mb-1";
  status.setAttribute("aria-live", "polite");
  list.before(label, search, status);

  const boxes = [...list.querySelectorAll(".form-check")];
  const headings = [...list.querySelectorAll("strong")];

  function update() {
    const query = search.value.trim().toLocaleLowerCase("de");
    let shown = 0;
    boxes.forEach((box) => {
      const text = box.textContent.trim().toLocaleLowerCase("de");
      const ticked = box.querySelector("input").checked;
      const visible = !query || text.includes(query) || ticked;
      box.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    headings.forEach((heading) => {
      let next = heading.nextElementSibling;
      let any = false;
      while (next && next.tagName !== "STRONG") {
        if (next.classList.contains("form-check") && !next.hidden) any = true;
        next = next.nextElementSibling;
      }
      heading.hidden = !any;
    });
    const ticked = list.querySelectorAll("input:checked").length;
    status.textContent = settings.dataset.statusText
      .replace("%(ticked)s", ticked)
      .replace("%(shown)s", shown);
  }
  search.addEventListener("input", update);
  list.addEventListener("change", update);
  update();
});
