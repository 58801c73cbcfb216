// Buttons with data-copy="#id" copy that field's text to the clipboard (no inline code).
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.querySelector(button.dataset.copy);
    const status = document.querySelector(button.dataset.copyStatus);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    if (status) {
      status.textContent = button.dataset.copied;
    }
  });
});
