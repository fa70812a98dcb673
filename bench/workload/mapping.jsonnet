// The benchmark workload in Jsonnet, as Ory writes claim mappers: a
// function of the event and the user item (both JSON) that returns the
// event with its response.
function(event, user)
  local has(f) = std.objectHas(user, f) && user[f] != null;
  local get(f, default=null) = if has(f) then user[f] else default;
  local first = get('FirstName');
  local last = get('LastName');
  local plan = get('plan');
  local roles = get('roles', []);
  local claims = {
    [if first != null then 'firstName']: first,
    [if last != null then 'lastName']: last,
    [if first != null && last != null then 'displayName']: first + ' ' + last,
    [if first != null && last != null then 'initials']: std.asciiUpper(std.substr(first, 0, 1) + std.substr(last, 0, 1)),
    [if has('department') then 'department']: std.asciiUpper(user.department),
    [if has('title') then 'title']: std.asciiLower(std.stripChars(user.title, ' ')),
    [if has('employeeId') then 'employeeId']: user.employeeId,
    [if has('tenantId') then 'tenant']: 'tenant:' + user.tenantId,
    plan: if plan != null then plan else 'free',
    [if get('nickname', first) != null then 'nickname']: get('nickname', first),
    [if has('locale') then 'locale']: std.strReplace(user.locale, '_', '-'),
    appRoles: std.filter(function(r) std.startsWith(r, 'app:'), roles),
    billingAdmin: std.member(roles, 'billing-admin'),
    mfa: get('mfaEnrolled') == true,
    [if has('loginCount') then 'loginCount']: user.loginCount,
    [if has('loginCount') then 'vip']: user.loginCount > 100 && plan == 'pro',
    [if has('country') then 'country']: std.asciiUpper(user.country),
    [if get('active') == true && has('managerId') then 'manager']: user.managerId,
    [if get('contractType') == 'contractor' then 'contractor']: true,
  };
  event {
    response: {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: claims,
          claimsToSuppress: ['email'] + (if get('privacy') == 'strict' then ['phone_number'] else []),
        },
        accessTokenGeneration: {
          claimsToAddOrOverride: claims {
            [if get('department') == 'finance' && has('costCenter') then 'costCenter']: user.costCenter,
          },
          claimsToSuppress: ['email'],
          scopesToAdd: if get('active') == true && plan != null then ['orders/' + plan] else [],
          scopesToSuppress: [],
        },
        groupOverrideDetails: event.request.groupConfiguration,
      },
    },
  }
