// Package periphgpio implements gpio.Line on a real pin with periph.io
// (periph.io/x/host/v3 v3.8.5).
//
// # Pin names
//
// Config.Pin accepts two forms:
//
//   - A name from the periph.io pin registry. On a Raspberry Pi the
//     bcm283x driver registers the BCM names "GPIO17" and the numbers
//     "17". On other Linux boards, such as a Jetson, the Linux GPIO
//     character-device driver (host/gpioioctl) registers each line under
//     the name the kernel gives it, the name that gpioinfo (libgpiod)
//     prints. It skips lines without a name or named "-" or "_", and it
//     prefixes a name that two chips share with the chip name and a dash,
//     as in "gpiochip1-GPIO17".
//   - "<chip>:<offset>" for a line of a GPIO character device, for
//     example "gpiochip0:17". The chip is its kernel name, its label or its
//     /dev path, and the offset counts from 0 on that chip as gpioinfo
//     shows it. This form reaches lines that have no name, and it bypasses
//     the Raspberry Pi memory-mapped driver.
//
// An unknown name fails with an error that lists the names periph.io
// registered and the drivers that failed to load.
//
// # Levels
//
// The line is active high unless Config.ActiveLow is set. Open drives the
// line to its inactive level at once, so the actuator rests from the
// start. Release drives it inactive again and frees the pin: a
// character-device line is closed, which hands it back to the kernel, and
// a memory-mapped pin is halted and keeps its last level.
//
// # Errors and permissions
//
// Errors start with "periphgpio: <pin>:". A pin held by another process or
// by a kernel driver fails with a message that names that cause. Missing
// permission fails with a message that shows how to add the user to the
// gpio group. On an OS other than Linux, Open fails because periph.io has
// no GPIO driver there. FromPin works everywhere, for tests with a fake
// periph.io pin.
package periphgpio
