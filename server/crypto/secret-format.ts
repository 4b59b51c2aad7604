/**
 * How an encrypted secret is stored, `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>`: apart from
 * secrets.ts so the schema can index a stored secret's key id without loading the keys.
 */
export const ENCRYPTED_SECRET_PREFIX = "enc:v1:";
