import type { Spec } from '../../spec/index.js';
import { expr, literal, quoted, tfName, type TfValue } from '../tf-json.js';

type Host = Spec['hosts'][number];

/** The host's one IPv4 address from the cluster file (checks.ts makes sure there is one). */
export function hostIpv4(host: Host): string {
  return host.public_addresses.find((a) => !a.includes(':')) ?? '';
}

/** The file beside the module that holds the host's cloud-init user data. */
export function userDataFile(host: Host): string {
  return `${host.name}.cloud-init.yaml`;
}

/**
 * One host: a reserved IPv4 (known before the instance exists, so the cluster file and the
 * first boot can carry it, and it outlives a rebuilt instance with its sending reputation),
 * the instance on Debian 13 with IPv6, and PTR records for both families, which receivers
 * compare with the greeting name (Postfix smtp_helo_name, i.e. the FQDN).
 */
export function hostResources(
  spec: Spec,
  host: Host,
  index: number,
  sshKeyRefs: readonly string[],
): { resource: Record<string, Record<string, TfValue>>; output: Record<string, TfValue> } {
  const n = tfName(host.name);
  const ipv4 = hostIpv4(host);
  const reserved = `vultr_reserved_ip.${n}_ipv4`;
  const where = `hosts[${index}].public_addresses`;
  const instance = {
    '//': literal(
      `${host.fqdn}. user_data runs once, at the first boot; a changed one would replace the ` +
        'instance (the provider forces a new one), so later changes to it are ignored: ' +
        'change a running host with mailctl apply on it.',
    ),
    region: literal(spec.provision.region),
    plan: literal(spec.provision.plan),
    os_id: expr('data.vultr_os.debian_13.id'),
    hostname: literal(host.fqdn),
    label: literal(host.fqdn),
    enable_ipv6: true,
    reserved_ip_id: expr(`${reserved}.id`),
    firewall_group_id: expr('vultr_firewall_group.mail.id'),
    ssh_key_ids: sshKeyRefs.map((r) => expr(`${r}.id`)),
    user_data: expr(`file("\${path.module}/${userDataFile(host)}")`),
    // mailctl backs the host up itself (pgBackRest, restic); Vultr's backups cost extra.
    backups: 'disabled',
    activation_email: false,
    lifecycle: {
      ignore_changes: ['user_data'],
      precondition: [
        {
          condition: expr(`${reserved}.subnet == ${quoted(ipv4)}`),
          error_message:
            literal(
              `The cluster file gives ${host.name} the IPv4 address ${ipv4}, but Vultr reserved `,
            ) +
            expr(`${reserved}.subnet`) +
            literal(
              ` for it. Put that address in ${where}, run mailctl provision terraform again, ` +
                'then terraform apply: the first boot must carry the address the host really has.',
            ),
        },
      ],
    },
  };
  return {
    resource: {
      vultr_reserved_ip: {
        [`${n}_ipv4`]: {
          region: literal(spec.provision.region),
          ip_type: 'v4',
          label: literal(host.fqdn),
        },
      },
      vultr_instance: { [n]: instance },
      vultr_reverse_ipv4: {
        [n]: {
          instance_id: expr(`vultr_instance.${n}.id`),
          ip: expr(`vultr_instance.${n}.main_ip`),
          reverse: literal(host.fqdn),
        },
      },
      vultr_reverse_ipv6: {
        [n]: {
          '//': literal(
            'The provider stores ip fully expanded (as Vultr returns it) and forces a new record ' +
              "when it differs from the configuration, which has the instance's compressed form: " +
              'ip is ignored after creation; a new instance (instance_id) still makes a new record.',
          ),
          instance_id: expr(`vultr_instance.${n}.id`),
          ip: expr(`vultr_instance.${n}.v6_main_ip`),
          reverse: literal(host.fqdn),
          lifecycle: { ignore_changes: ['ip'] },
        },
      },
    },
    output: {
      [`${n}_ipv4`]: {
        description: literal(
          `${host.fqdn}: its IPv4 address, for ${where} (known before the instance)`,
        ),
        value: expr(`${reserved}.subnet`),
      },
      [`${n}_ipv6`]: {
        description: literal(
          `${host.fqdn}: its IPv6 address, known once the instance exists; add it to ${where}`,
        ),
        value: expr(`vultr_instance.${n}.v6_main_ip`),
      },
    },
  };
}
