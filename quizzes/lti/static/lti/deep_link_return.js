// Posts the signed deep-linking response to the LMS as soon as the page loads
// (a static file: the CSP allows no inline script). Without JavaScript, the
// page's button does the same.
document.getElementById("deep-link-return").submit();
