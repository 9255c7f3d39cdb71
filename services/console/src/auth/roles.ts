/** Coordinators work the queue; admins manage accounts. One account may hold both roles. */
export const roles = ['coordinator', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
