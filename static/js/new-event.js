// /new: shows the address phones will open while the organizer types the short address.
const input = document.getElementById("slug");
const preview = document.getElementById("slug-preview");

if (input && preview) {
  const template = preview.textContent;
  const base = preview.dataset.base;
  const show = () => {
    const slug = input.value.trim().toLowerCase();
    preview.textContent = slug ? template.replace(`${base}/e/…/`, `${base}/e/${slug}/`) : template;
  };
  input.addEventListener("input", show);
  show();
}
