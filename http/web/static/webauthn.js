// WebAuthn ceremonies of Socle's pages: adding a security key or passkey
// (button data-webauthn="register") and using one as the second factor
// (button data-webauthn="login"). The page gives the CSRF token in
// data-csrf; no inline script is allowed (Content-Security-Policy).
"use strict";

(function () {
  function fromB64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toB64url(buf) {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(url, csrf, body) {
    const resp = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await resp.json();
    } catch (e) {
      data = null;
    }
    if (!resp.ok) {
      const msg = data && data.error && data.error.message;
      throw new Error(typeof msg === "string" ? msg : "Le serveur a refusé l'opération (" + resp.status + ").");
    }
    return data;
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: fromB64url(c.id) });
    });
  }

  async function register(button) {
    const csrf = button.dataset.csrf;
    const opts = await post("/webauthn/enregistrement/debut", csrf);
    const pk = opts.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    pk.user.id = fromB64url(pk.user.id);
    pk.excludeCredentials = descriptors(pk.excludeCredentials);
    const cred = await navigator.credentials.create({ publicKey: pk });
    if (!cred) throw new Error("Aucune clé n'a été créée.");
    const nameInput = document.getElementById(button.dataset.nameInput || "");
    const name = (nameInput && nameInput.value.trim()) || "Clé de sécurité";
    await post("/webauthn/enregistrement/fin?nom=" + encodeURIComponent(name), csrf, {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      response: {
        attestationObject: toB64url(cred.response.attestationObject),
        clientDataJSON: toB64url(cred.response.clientDataJSON),
        transports: cred.response.getTransports ? cred.response.getTransports() : [],
      },
      clientExtensionResults: cred.getClientExtensionResults(),
    });
    return button.dataset.next || window.location.pathname;
  }

  async function login(button) {
    const csrf = button.dataset.csrf;
    const opts = await post("/webauthn/connexion/debut", csrf);
    const pk = opts.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    pk.allowCredentials = descriptors(pk.allowCredentials);
    const cred = await navigator.credentials.get({ publicKey: pk });
    if (!cred) throw new Error("Aucune clé n'a répondu.");
    const res = await post("/webauthn/connexion/fin", csrf, {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      response: {
        authenticatorData: toB64url(cred.response.authenticatorData),
        clientDataJSON: toB64url(cred.response.clientDataJSON),
        signature: toB64url(cred.response.signature),
        userHandle: cred.response.userHandle ? toB64url(cred.response.userHandle) : null,
      },
      clientExtensionResults: cred.getClientExtensionResults(),
    });
    return (res && res.redirect) || "/";
  }

  function status(button, text) {
    const el = document.getElementById(button.dataset.status || "");
    if (el) {
      el.textContent = text;
      el.hidden = text === "";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-webauthn]").forEach(function (button) {
      if (!window.PublicKeyCredential) {
        status(button, "Ce navigateur ne permet pas d'utiliser une clé de sécurité.");
        button.disabled = true;
        return;
      }
      button.hidden = false;
      button.addEventListener("click", async function () {
        button.disabled = true;
        status(button, "");
        try {
          const next = button.dataset.webauthn === "register" ? await register(button) : await login(button);
          window.location.assign(next);
        } catch (e) {
          const msg = e && e.name === "NotAllowedError"
            ? "Opération annulée ou délai dépassé : recommencez."
            : (e && e.message) || "La clé de sécurité n'a pas pu être utilisée.";
          status(button, msg);
          button.disabled = false;
        }
      });
    });
  });
})();
