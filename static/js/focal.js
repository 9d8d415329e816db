// The asset page's focal point: "Click the preview to set it", then a click on the preview saves where.
(() => {
  const form = document.querySelector(".focal-form");
  const picture = document.querySelector(".preview img");
  if (!form || !picture) return;
  const marker = document.createElement("span");
  marker.className = "focal-marker";
  marker.setAttribute("aria-hidden", "true");
  picture.parentElement.style.position = "relative";
  picture.parentElement.appendChild(marker);
  const place = () => {
    const x = parseFloat(form.x.value), y = parseFloat(form.y.value);
    if (Number.isNaN(x) || Number.isNaN(y)) { marker.hidden = true; return; }
    marker.hidden = false;
    marker.style.left = `${picture.offsetLeft + x * picture.clientWidth}px`;
    marker.style.top = `${picture.offsetTop + y * picture.clientHeight}px`;
  };
  picture.complete ? place() : picture.addEventListener("load", place);
  window.addEventListener("resize", place);
  form.querySelector("[data-focal-start]").addEventListener("click", (event) => {
    picture.classList.add("focal-picking");
    event.target.textContent = "Now click the subject in the preview";
  });
  picture.addEventListener("click", (event) => {
    if (!picture.classList.contains("focal-picking")) return;
    const box = picture.getBoundingClientRect();
    form.x.value = ((event.clientX - box.left) / box.width).toFixed(4);
    form.y.value = ((event.clientY - box.top) / box.height).toFixed(4);
    form.submit();
  });
})();
