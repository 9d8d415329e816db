// "Copy" buttons: <button data-copy="#element-id"> copies that element's value or text.
// Pages may include it more than once (the asset page's downloads card and its hash): one listener is enough.
if (!window.damCopyReady) { window.damCopyReady = true; document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.value !== undefined ? source.value : source.textContent;
  try {
    await navigator.clipboard.writeText(text.trim());
  } catch (error) {
    source.select && source.select();
    document.execCommand && document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
}); }
