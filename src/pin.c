/* PIN hashes: see pin.h. */
#include "pin.h"

#include <crypt.h>
#include <string.h>

int pin_hash(const char *pin, char *out, size_t outsz)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;
	const char *h;

	/* NULL prefix: libcrypt's preferred method; NULL random bytes: from the OS. */
	if (crypt_gensalt_rn(NULL, 0, NULL, 0, salt, sizeof salt) == NULL)
		return -1;
	memset(&data, 0, sizeof data);
	h = crypt_r(pin, salt, &data);
	if (h == NULL || h[0] == '*' || strlen(h) + 1 > outsz)
		return -1;
	memcpy(out, h, strlen(h) + 1);
	return 0;
}

int pin_verify(const char *pin, const char *hash)
{
	struct crypt_data data;
	const char *h;

	if (hash == NULL || hash[0] == '\0')
		return 0;
	memset(&data, 0, sizeof data);
	h = crypt_r(pin, hash, &data);
	/* Constant-time compare: the hash is public in the database anyway, but cheap to do. */
	if (h == NULL || h[0] == '*' || strlen(h) != strlen(hash))
		return 0;
	{
		unsigned char diff = 0;

		for (size_t i = 0; hash[i] != '\0'; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
		return diff == 0;
	}
}
