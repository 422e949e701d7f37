// Support pages: the canned reply's copy button. The text must have no missing values
// ("[[missing: …]]"); a successful copy is counted once (POST …/used).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-reply]");
  if (!button) return;
  event.preventDefault();
  const area = document.getElementById(button.dataset.copyReply);
  const status = document.getElementById(button.dataset.status);
  if (!area) return;
  if (area.value.indexOf("[[missing:") !== -1) {
    if (status) status.textContent = button.dataset.missingText;
    return;
  }
  const done = function () {
    if (status) status.textContent = button.dataset.copiedText;
    button.dataset.copied = "true";
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const body = new URLSearchParams({ customer: button.dataset.customer || "" });
    fetch(button.dataset.usedUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: body,
      credentials: "same-origin",
    });
  };
  area.select();
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(area.value).then(done, function () {
      document.execCommand("copy");
      done();
    });
  } else {
    document.execCommand("copy");
    done();
  }
});
document.addEventListener("input", function (event) {
  const area = event.target.closest("textarea.reply");
  if (!area) return;
  const button = document.querySelector('[data-copy-reply="' + area.id + '"]');
  if (button) button.disabled = area.value.indexOf("[[missing:") !== -1;
});
