// The follow-up page: without scripts it lists and filters; with them each status becomes a choice saved at once.
import { pageJson } from "./render.js";

const texts = pageJson("followup-texts");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const node = (id) => document.getElementById(id);

function say(message, isError) {
  node("followup-error").textContent = isError ? message : "";
  node("followup-error").hidden = !isError;
  node("followup-said").textContent = isError ? "" : message;
}

for (const row of document.querySelectorAll("#followup-table tr[data-item-id]")) {
  const badge = row.querySelector(".item-status .badge");
  const select = row.querySelector(".status-select");
  badge.hidden = true;
  select.hidden = false;
  select.addEventListener("change", async () => {
    const was = badge.dataset.status;
    select.disabled = true;
    try {
      const url = `/api/events/${encodeURIComponent(row.dataset.slug)}/action-items/${row.dataset.itemId}`;
      let response;
      try {
        response = await fetch(url, {
          method: "PATCH",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ status: select.value }),
        });
      } catch {
        throw new Error(texts.offline);
      }
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.error || texts.failed);
      badge.dataset.status = answer.status;
      badge.className = `badge status-${answer.status}`;
      badge.textContent = select.selectedOptions[0].textContent;
      say(texts.saved);
    } catch (error) {
      select.value = was;
      say(error.message, true);
    } finally {
      select.disabled = false;
    }
  });
}
