/** What a user or group must look like before it enters the directory (pure checks, messages for people). */

const UPN = /^[^\s@]{1,113}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Directory roles whose holders administer Signoff: Global Administrator, Privileged Role Administrator. */
export const ADMIN_ROLE_IDS = ['62e90394-69f5-4237-9190-012177145e10', 'e8611ab8-c189-46e8-94e1-60213ab1f814'] as const;

export const MAX_DISPLAY_NAME = 256;
export const MAX_JOB_TITLE = 128;

/** Problems with a user's fields, or null when they are acceptable. */
export function userProblem(fields: { userPrincipalName?: string; displayName?: string; jobTitle?: string | null; mail?: string | null }): string | null {
  if (fields.userPrincipalName !== undefined && !UPN.test(fields.userPrincipalName)) {
    return `userPrincipalName '${fields.userPrincipalName}' is not of the form alias@domain.`;
  }
  if (fields.displayName !== undefined && (fields.displayName.trim() === '' || fields.displayName.length > MAX_DISPLAY_NAME)) {
    return `displayName must have 1 to ${MAX_DISPLAY_NAME} characters.`;
  }
  if (fields.jobTitle && fields.jobTitle.length > MAX_JOB_TITLE) return `jobTitle must have at most ${MAX_JOB_TITLE} characters.`;
  if (fields.mail && !UPN.test(fields.mail)) return `mail '${fields.mail}' is not an email address.`;
  return null;
}

export function groupProblem(fields: { displayName: string }): string | null {
  if (fields.displayName.trim() === '' || fields.displayName.length > MAX_DISPLAY_NAME) return `displayName must have 1 to ${MAX_DISPLAY_NAME} characters.`;
  return null;
}

/** The object id an `@odata.id` reference names: its last path segment (`.../directoryObjects/{id}`). */
export function referencedId(odataId: string): string | null {
  const last = odataId.split('?')[0]!.split('/').filter(Boolean).pop();
  if (!last) return null;
  const bare = /^[\w-]+\('([^']+)'\)$/.exec(last)?.[1] ?? last;
  return decodeURIComponent(bare);
}
