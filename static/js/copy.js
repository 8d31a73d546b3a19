// Copy buttons: put the link (data-copy) on the clipboard and say so; without clipboard access, select the element
// named by data-copy-target (the organizer link, shown only once; a personal feed address) for copying by hand.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
    } catch {
      const range = document.createRange(); // no clipboard access (plain http): select it for Ctrl+C
      range.selectNodeContents(document.getElementById(button.dataset.copyTarget || "organizer-link"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      return;
    }
    button.textContent = button.dataset.done;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
