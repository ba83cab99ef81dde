// Passkeys (WebAuthn): the browser's half of the ceremony. The server (py_webauthn) makes the
// options and checks every answer. Pages work without this file: a passphrase always does.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: body === undefined ? "{}" : JSON.stringify(body)}).then(function (r) {
        return r.json().then(function (data) { return {ok: r.ok, data: data}; });
      });
  }
  function showError(message) {
    var box = document.getElementById("passkey-error");
    if (box) { box.textContent = message; box.hidden = false; }
  }
  function publicKeyCredentialJSON(cred) {
    var r = cred.response, out = {id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: {clientDataJSON: toB64url(r.clientDataJSON)}};
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    if (cred.authenticatorAttachment) { out.authenticatorAttachment = cred.authenticatorAttachment; }
    return out;
  }

  var add = document.querySelector(".passkey-add");
  if (add) {
    add.hidden = false;
    document.getElementById("passkey-add").addEventListener("click", function () {
      post(add.dataset.options).then(function (res) {
        var o = res.data;
        o.challenge = toBytes(o.challenge);
        o.user.id = toBytes(o.user.id);
        (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.create({publicKey: o});
      }).then(function (cred) {
        return post(add.dataset.verify, publicKeyCredentialJSON(cred));
      }).then(function (res) {
        if (res.ok) { window.location.reload(); } else { showError(res.data.message); }
      }).catch(function () { showError(add.dataset.failed || "The passkey was not added."); });
    });
  }

  var signin = document.querySelector(".passkey-signin");
  if (signin) {
    signin.hidden = false;
    document.getElementById("passkey-signin").addEventListener("click", function () {
      post(signin.dataset.options).then(function (res) {
        var o = res.data;
        o.challenge = toBytes(o.challenge);
        (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.get({publicKey: o});
      }).then(function (cred) {
        return post(signin.dataset.verify + "?next=" + encodeURIComponent(signin.dataset.next || "/me/"),
                    publicKeyCredentialJSON(cred));
      }).then(function (res) {
        if (res.ok) { window.location.assign(res.data.next || "/me/"); } else { showError(res.data.message); }
      }).catch(function () { showError(signin.dataset.failed || "That passkey did not work here."); });
    });
  }
}());
