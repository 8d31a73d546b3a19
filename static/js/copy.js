// Copy buttons: put the link on the clipboard and say so (the organizer link is shown only once).
for (const button of document.querySelectorAll("button[data-copy]")) {
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
    } catch {
      const range = document.createRange(); // no clipboard access (plain http): select it for Ctrl+C
      range.selectNodeContents(document.getElementById("organizer-link"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      return;
    }
    button.textContent = button.dataset.done;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
