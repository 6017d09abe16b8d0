import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { UuidPipe } from '@praxis/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../decorators.js';
import { Role, type AuthPrincipal } from '../roles.js';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto, UserPageDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** List users (admin). */
  @Get()
  async listUsers(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(query);
    return { ...page, items: page.items.map(UserDto.from) };
  }

  /** Create a user (admin). */
  @Post()
  async createUser(@Body() dto: CreateUserDto): Promise<UserDto> {
    return UserDto.from(await this.users.create(dto));
  }

  /** Get one user (admin). */
  @Get(':id')
  async getUser(@Param('id', UuidPipe) id: string): Promise<UserDto> {
    return UserDto.from(await this.users.get(id));
  }

  /** Change a user's role, password, profile or disabled flag (admin). */
  @Patch(':id')
  async updateUser(
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() actor: AuthPrincipal,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(id, dto, actor));
  }

  /** Delete a user (admin). */
  @Delete(':id')
  @HttpCode(204)
  async deleteUser(@Param('id', UuidPipe) id: string, @CurrentUser() actor: AuthPrincipal): Promise<void> {
    await this.users.remove(id, actor);
  }
}
