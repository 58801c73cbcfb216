// The referral picker of the consultation form. Without JavaScript it is a plain list
// of the office's groups (a multiple select). With it, the list is hidden and kept in
// sync behind a combobox that asks the server as you type and shows the chosen groups
// as buttons that remove them: the form sends the same as without the script.
// Texts come from data attributes (translated in the template).
const DEBOUNCE_MS = 200;

document.querySelectorAll("[data-group-picker]").forEach((settings) => {
  const select = document.getElementById(settings.dataset.groupPicker);
  if (!select) return;
  const texts = settings.dataset;
  const fill = (text, values) =>
    Object.entries(values).reduce((result, [key, value]) => result.replace(`%(${key})s`, value), text);

  const input = document.createElement("input");
  input.type = "text";
  input.id = `${select.id}-search`;
  input.className = "form-control";
  input.autocomplete = "off";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  const listbox = document.createElement("ul");
  listbox.id = `${select.id}-listbox`;
  listbox.className = "group-picker-listbox list-group shadow";
  listbox.setAttribute("role", "listbox");
  listbox.hidden = true;
  input.setAttribute("aria-controls", listbox.id);
  const label = document.querySelector(`label[for="${select.id}"]`);
  if (label) {
    label.htmlFor = input.id;
    label.id ||= `${select.id}-label`;
    listbox.setAttribute("aria-labelledby", label.id);
  }
  const chips = document.createElement("ul");
  chips.className = "group-picker-chips list-unstyled d-flex flex-wrap gap-2 mb-2";
  chips.setAttribute("aria-label", texts.chosenLabel);
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  const picker = document.createElement("div");
  picker.className = "group-picker";
  picker.append(input, listbox);
  select.before(chips, picker, status);
  select.hidden = true;

  const hint = document.getElementById(`${select.id}_helptext`);
  if (hint) hint.textContent = texts.hint;
  const described = [hint, ...document.querySelectorAll(`[id^="error_"][id$="_${select.id}"]`)];
  const ids = described.filter(Boolean).map((element) => element.id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  if (select.classList.contains("is-invalid")) {
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
  }

  let results = [];
  let active = -1;
  let timer = null;
  let controller = null;
  let pickWhenFound = false;
  let stale = false; // typed since the last answer: the results shown are for less

  const optionFor = (id) => [...select.options].find((option) => option.value === String(id));
  const announce = (text) => {
    status.textContent = text;
  };

  function renderChips() {
    const chosen = [...select.selectedOptions];
    chips.hidden = chosen.length === 0;
    chips.replaceChildren(
      ...chosen.map((option) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-secondary";
        button.setAttribute("aria-label", fill(texts.removeLabel, { name: option.text }));
        const cross = document.createElement("span");
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = " ×";
        button.append(option.text, cross);
        button.addEventListener("click", () => {
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          announce(fill(texts.removedText, { name: option.text }));
          input.focus();
        });
        item.append(button);
        return item;
      }),
    );
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...listbox.children].forEach((item, position) => {
      const on = position === index;
      item.classList.toggle("active", on);
      item.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        input.setAttribute("aria-activedescendant", item.id);
        item.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function pick(index) {
    const option = optionFor(results[index].id);
    option.selected = true;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    input.value = "";
    close();
    announce(fill(texts.addedText, { name: option.text }));
    input.focus();
  }

  function show(found, more) {
    // Groups already chosen are shown as buttons above, not offered again (the server
    // leaves them out; one chosen while the answer was on its way is left out here).
    results = found.filter((group) => optionFor(group.id) && !optionFor(group.id).selected);
    listbox.replaceChildren(
      ...results.map((group, index) => {
        const item = document.createElement("li");
        item.id = `${listbox.id}-${group.id}`;
        item.className = "list-group-item list-group-item-action";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = group.name;
        if (group.topics) {
          const topics = document.createElement("span");
          topics.className = "d-block small";
          topics.textContent = group.topics;
          item.append(topics);
        }
        // Keep the focus in the field: a click picks without a blur in between.
        item.addEventListener("mousedown", (event) => event.preventDefault());
        item.addEventListener("click", () => pick(index));
        return item;
      }),
    );
    const count = results.length;
    if (count === 0) announce(texts.noneText);
    else if (more) announce(fill(texts.moreText, { count }));
    else announce(count === 1 ? texts.oneText : fill(texts.countText, { count }));
    if (count === 0) {
      close();
    } else {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(0);
    }
    if (pickWhenFound && count > 0) pick(0);
    pickWhenFound = false;
  }

  async function search() {
    clearTimeout(timer);
    controller?.abort();
    controller = new AbortController();
    const url = new URL(texts.searchUrl, window.location.href);
    url.searchParams.set("q", input.value.trim());
    [...select.selectedOptions].forEach((option) => url.searchParams.append("chosen", option.value));
    stale = false;
    try {
      const response = await fetch(url, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      show(data.results, data.more);
    } catch (error) {
      if (error.name === "AbortError") return;
      pickWhenFound = false;
      close();
      announce(texts.errorText);
    }
  }

  input.addEventListener("input", () => {
    pickWhenFound = false;
    stale = true;
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (open) highlight((active + 1) % results.length);
        else search();
        break;
      case "ArrowUp":
        if (!open) break;
        event.preventDefault();
        highlight((active - 1 + results.length) % results.length);
        break;
      case "Enter":
        if (open && active >= 0 && !stale) {
          event.preventDefault();
          pick(active);
        } else if (input.value.trim()) {
          // Typed faster than the search answered: take the first group it finds.
          event.preventDefault();
          pickWhenFound = true;
          search();
        }
        // An empty field: Enter sends the form, as in every other field.
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
        break;
      default:
    }
  });

  picker.addEventListener("focusout", (event) => {
    if (!picker.contains(event.relatedTarget)) close();
  });
  select.addEventListener("change", renderChips);
  renderChips();
});
