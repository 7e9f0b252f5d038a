// Lets registers.ts and machine.ts carry AssemblyScript's u32 annotation when TypeScript reads
// them: to TypeScript a u32 is just a number.
declare global {
  type u32 = number;
}
export {};
