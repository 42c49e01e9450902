/* A test-only stand-in for Windows' bcryptprimitives.dll, for running the Windows build
 * under wine 8 (Debian 12's), which lacks it. Rust's standard library takes its random
 * numbers (HashMap seeds) from ProcessPrng, exported by that DLL since Windows 10; without
 * it the loader refuses to start the program. This one answers from BCryptGenRandom, which
 * wine has. Windows itself always has the real DLL: this file never ships. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
