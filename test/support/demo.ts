/** The demo tenant's stable ids (tenants/demo.json), as scripts and tests may hard-code them. */
export const DEMO = {
  tenantId: '18bd2cb8-d6cb-4571-9eb7-b58536c809b6',
  users: {
    admin: 'be4df8d2-4153-4613-b513-94d315bf0941',
    alice: '83927c8c-5223-4b99-a0c8-f3cdc14f0430',
    bob: '7862ad26-2cf0-458b-91ab-752892c02d2d',
    carol: '2e6e4402-168e-4a3a-94bb-c28971b0d6fb',
    dave: '2bccc901-a610-424f-9332-98d80971813a',
  },
  groups: { approvers: '168409c9-1c44-48ba-a51a-d634c1eb55a3', prodOps: '77dc31b1-7e5f-4af0-83a3-f7be31c4bae0' },
  roles: {
    userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  },
  catalogs: { general: 'e0c914e2-af6d-4e79-b9ea-46a4b2bac6d6' },
  accessPackages: { contractorAccess: '7336ec35-d092-4bbc-bff6-89c9e1681d70' },
  accessPackagePolicies: { contractorAccess: 'dd828975-d2e8-47e0-98aa-d9acb10a9c03' },
  azure: { contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c', subscriptionScope: '/subscriptions/00000000-0000-0000-0000-000000000001' },
} as const;

export type DemoUser = keyof typeof DEMO.users;
