// The site form keeps a draft in this browser (localStorage) at every change, so a reload or a lost connection at
// the site loses nothing; the page the server answers after a successful entry clears it. The draft is the user's
// own (its key names them) and signing out removes it (signout.js).
(function () {
  "use strict";
  var form = document.getElementById("site-form");
  if (!form || !window.localStorage) { return; }
  var key = form.getAttribute("data-draft");
  var status = document.getElementById("draft-status");
  var say = function (text) { if (status) { status.textContent = text; } };
  var zh = document.documentElement.lang === "zh-CN";

  if (form.getAttribute("data-clear") === "1") {
    localStorage.removeItem(key);
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "file" && el.type !== "submit";
    });
  }

  function save() {
    var draft = {};
    fields().forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) { draft[el.name] = el.value; }
      } else {
        draft[el.name] = el.value;
      }
    });
    try {
      localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), fields: draft }));
      say((zh ? "草稿已保存在本机 " : "Draft kept on this device ") + new Date().toLocaleTimeString());
    } catch (e) {
      say(zh ? "本机无法保存草稿" : "This device cannot keep a draft");
    }
  }

  function restore() {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.fields) { return; }
    fields().forEach(function (el) {
      if (!(el.name in kept.fields)) { return; }
      if (el.type === "radio") {
        el.checked = el.value === kept.fields[el.name];
      } else {
        el.value = kept.fields[el.name];
      }
    });
    say((zh ? "已恢复本机草稿（" : "Draft restored from this device (") + kept.at.slice(0, 16).replace("T", " ") + (zh ? "）" : ")"));
  }

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
})();
