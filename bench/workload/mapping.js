// The benchmark workload in JavaScript, as Auth0 Actions and Zitadel write
// token customisations: a function of the event (JSON text, parsed here)
// and the user item that returns the event with its response as JSON text.
function handle(raw, user) {
  const event = JSON.parse(raw);
  const has = (f) => user[f] !== undefined && user[f] !== null;
  const claims = {};
  if (has("FirstName")) claims.firstName = user.FirstName;
  if (has("LastName")) claims.lastName = user.LastName;
  if (has("FirstName") && has("LastName")) {
    claims.displayName = user.FirstName + " " + user.LastName;
    claims.initials = (user.FirstName.slice(0, 1) + user.LastName.slice(0, 1)).toUpperCase();
  }
  if (has("department")) claims.department = user.department.toUpperCase();
  if (has("title")) claims.title = user.title.trim().toLowerCase();
  if (has("employeeId")) claims.employeeId = user.employeeId;
  if (has("tenantId")) claims.tenant = "tenant:" + user.tenantId;
  claims.plan = user.plan ?? "free";
  const nickname = user.nickname ?? user.FirstName;
  if (nickname !== undefined && nickname !== null) claims.nickname = nickname;
  if (has("locale")) claims.locale = user.locale.replaceAll("_", "-");
  const roles = user.roles ?? [];
  claims.appRoles = roles.filter((r) => r.startsWith("app:"));
  claims.billingAdmin = roles.includes("billing-admin");
  claims.mfa = user.mfaEnrolled === true;
  if (has("loginCount")) {
    claims.loginCount = user.loginCount;
    claims.vip = user.loginCount > 100 && user.plan === "pro";
  }
  if (has("country")) claims.country = user.country.toUpperCase();
  if (user.active === true && has("managerId")) claims.manager = user.managerId;
  if (user.contractType === "contractor") claims.contractor = true;

  const accessClaims = Object.assign({}, claims);
  if (user.department === "finance" && has("costCenter")) accessClaims.costCenter = user.costCenter;
  const idSuppress = ["email"];
  if (user.privacy === "strict") idSuppress.push("phone_number");
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: claims, claimsToSuppress: idSuppress },
      accessTokenGeneration: {
        claimsToAddOrOverride: accessClaims,
        claimsToSuppress: ["email"],
        scopesToAdd: user.active === true && has("plan") ? ["orders/" + user.plan] : [],
        scopesToSuppress: [],
      },
      groupOverrideDetails: event.request.groupConfiguration,
    },
  };
  return JSON.stringify(event);
}
