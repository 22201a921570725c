import { generatedHeader } from '../types.js';
import { DKIM_SIGNING_MAP } from './dkim-signing.js';

/** Where Rspamd's rules/rspamd.lua loads local Lua rules from (every lua.local.d/*.lua). */
export const OWN_DOMAIN_CHECK_PATH = '/etc/rspamd/lua.local.d/mailctl-own-domains.lua';

/** The symbol (and pre-result module) of the refusal, as Rspamd's history shows it. */
export const OWN_DOMAIN_CHECK_SYMBOL = 'MAILCTL_FORGED_OWN_DOMAIN';

/**
 * The milter {daemon_name} of mail that came in through no SMTP client (sendmail, pickup):
 * Postfix's cleanup, which runs non_smtpd_milters, passes it (milter_macro_daemon_name, in
 * master.cf) and Rspamd reads it as the MTA-Name request header. Every smtpd passes
 * $myhostname instead, so a listener added later is outside unless it says otherwise.
 */
export const LOCAL_PICKUP_DAEMON_NAME = 'mailctl-pickup';

/**
 * Mail from outside that claims one of the domains hosted here, in the envelope sender or
 * the header From:, must carry a valid DKIM signature of that very domain: every message
 * our users send is signed (dkim_signing), so one without such a signature did not come
 * from here, whatever the domain's published DMARC policy says (p=none while a domain is
 * new, or no record yet). A forwarded or list copy of our own signed mail still passes.
 *
 * Exempt: a logged-in user's submission (its From: is held by the sender prefilter) and
 * mail that came in through no SMTP client at all: sendmail's pickup (Sieve's vacation and
 * redirect as the vmail user, root's cron), told apart by its daemon name above, since
 * Rspamd sees it from 127.0.0.1 too. Loopback and the VPN on port 25 are outside like the
 * internet: any local process can connect there (mynetworks is empty).
 *
 * A normal filter after DKIM_CHECK (it needs the verification's DKIM_TRACE), refusing with
 * a pre-result `reject`: the milter answers 5xx at the end of DATA with the reason. The
 * hosted domains come from the DKIM signing map, which follows the domains table.
 */
export function renderOwnDomainCheck(): string {
  return `${generatedHeader('--')}local hosted = rspamd_config:add_map({
  type = 'map',
  url = 'file://${DKIM_SIGNING_MAP}',
  description = 'domains hosted here (mailctl: the DKIM signing map)',
})

-- The domains with a valid signature: DKIM_TRACE's options are "<d=>:<result>", '+' a pass.
local function signed_domains(task)
  local signed = {}
  local trace = task:get_symbol('DKIM_TRACE')
  for _, opt in ipairs((trace and trace[1] and trace[1].options) or {}) do
    if string.sub(opt, -1) == '+' then signed[string.sub(opt, 1, -3):lower()] = true end
  end
  return signed
end

local function check_own_domains(task)
  if task:get_user() or not hosted then return end
  local daemon = task:get_request_header('MTA-Name')
  if daemon and tostring(daemon) == '${LOCAL_PICKUP_DAEMON_NAME}' then return end

  local claims = {}
  local env = task:get_from('smtp')
  if env and env[1] and (env[1].domain or '') ~= '' then
    table.insert(claims, { 'envelope sender', env[1].addr, env[1].domain:lower() })
  end
  for _, f in ipairs(task:get_from('mime') or {}) do
    if (f.domain or '') ~= '' then table.insert(claims, { 'From:', f.addr, f.domain:lower() }) end
  end

  local signed
  for _, c in ipairs(claims) do
    local what, addr, domain = c[1], c[2], c[3]
    if hosted:get_key(domain) then
      signed = signed or signed_domains(task)
      if not signed[domain] then
        task:insert_result('${OWN_DOMAIN_CHECK_SYMBOL}', 1.0, what .. ' ' .. addr)
        task:set_pre_result('reject', string.format(
          '%s <%s> is a domain hosted here, and mail from outside claiming it needs a valid DKIM signature of %s',
          what, addr, domain), '${OWN_DOMAIN_CHECK_SYMBOL}')
        return
      end
    end
  end
end

rspamd_config:register_symbol({
  name = '${OWN_DOMAIN_CHECK_SYMBOL}',
  type = 'normal',
  callback = check_own_domains,
  score = 0.0,
  group = 'mailctl',
  description = 'Mail from outside claims a domain hosted here without its DKIM signature',
  flags = 'nostat',
})
rspamd_config:register_dependency('${OWN_DOMAIN_CHECK_SYMBOL}', 'DKIM_CHECK')
`;
}
